# The two quick-start commands: `make run` and `make test`. Each installs what it needs.
SWIFT ?= swift
# On a terminal: the prompt; otherwise the tour runbook.
ARGS ?= $(shell [ -t 0 ] || echo '-o table examples/tour.cops')
APT_PACKAGES = libedit-dev pkg-config tmux curl openssl

.PHONY: run test deps build release clean

# Debian packages the build and the tests use; installed only when missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build

# The binary to install: optimised, with the Swift runtime and Foundation linked in, which
# starts ≈ 6 ms faster than the shared-library build (docs/performance.md) and runs on a
# machine without a Swift toolchain. Copy .build/release/cops onto the PATH.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product cops

# Builds cops and opens its prompt on the built-in sandbox (the tour without a terminal);
# other arguments with ARGS='…'.
run: build
	./.build/debug/cops $(ARGS)

# Builds everything and runs the whole test suite.
test: deps
	scripts/test

clean:
	rm -rf .build
