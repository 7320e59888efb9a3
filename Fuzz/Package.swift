// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for cops, kept out of the root package so that its build and tests are
// untouched. Build and run them with `scripts/fuzz` (see docs/reliability.md):
//   swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld
let package = Package(
    name: "CampaignOpsFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "CampaignOps", path: "..")
    ],
    targets: [
        // Declares libFuzzer's `LLVMFuzzerRunDriver`, so each target owns its `main`.
        .target(name: "CFuzzerDriver"),
        .executableTarget(
            name: "FuzzScript",
            dependencies: [
                "CFuzzerDriver",
                .product(name: "CampaignScript", package: "CampaignOps"),
            ]
        ),
        .executableTarget(
            name: "FuzzFormat",
            dependencies: [
                "CFuzzerDriver",
                .product(name: "CampaignScript", package: "CampaignOps"),
            ]
        ),
        .executableTarget(
            name: "FuzzWire",
            dependencies: [
                "CFuzzerDriver",
                .product(name: "AltcraftAPI", package: "CampaignOps"),
                .product(name: "AltcraftWire", package: "CampaignOps"),
            ]
        ),
    ]
)
