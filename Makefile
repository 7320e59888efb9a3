# The two quick-start commands: `make run` and `make test`. Each installs what it needs.
# `make install` puts cops where Debian's tools go; `make uninstall` takes it out again.
SWIFT ?= swift
# On a terminal: the prompt; otherwise the tour runbook.
ARGS ?= $(shell [ -t 0 ] || echo '-o table examples/tour.cops')
APT_PACKAGES = libedit-dev libsqlite3-dev sqlite3 pkg-config tmux curl openssl groff-base neovim

.PHONY: run test deps build release install uninstall clean

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
# machine without a Swift toolchain. `make install` copies it onto the PATH.
# Every module (the packages' too) reaches generic type metadata through accessors that pass
# the conformances they need, not through mangled names the runtime resolves at the first
# use by scanning all 10 000 conformance records of the binary (≈ 450 000 instructions a
# scan): an http one-shot runs 37 % fewer instructions (docs/performance.md, "Eleventh round").
RELEASE_SWIFTC_FLAGS = -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product cops $(RELEASE_SWIFTC_FLAGS)

# Builds cops and opens its prompt on the built-in sandbox (the tour without a terminal);
# other arguments with ARGS='…'.
run: build
	./.build/debug/cops $(ARGS)

# Where `make install` puts things: PREFIX as configured (/usr/local by default), inside
# DESTDIR when staging a package. BINARY=FILE installs that binary instead of building the
# release one (scripts/test-install installs the debug build, to test the rest cheaply).
PREFIX ?= /usr/local
DESTDIR ?=
BINARY ?=
installed_binary = $(or $(BINARY),.build/release/cops)
# What install puts where (Debian's places for completions and manual pages), in one list so
# that uninstall removes exactly these.
bin_path = $(PREFIX)/bin/cops
bash_path = $(PREFIX)/share/bash-completion/completions/cops
zsh_path = $(PREFIX)/share/zsh/vendor-completions/_cops
fish_path = $(PREFIX)/share/fish/vendor_completions.d/cops.fish
man_path = $(PREFIX)/share/man/man1/cops.1
installed = $(bin_path) $(bash_path) $(zsh_path) $(fish_path) $(man_path)
staging = .build/install
# The manual's date: the last commit's, so the page does not change from build to build.
manual_date = $(shell git log -1 --format=%cs 2>/dev/null || date +%F)

# The completion scripts and the manual page come from the binary itself (ArgumentParser's
# --generate-completion-script, and its generate-manual tool over --experimental-dump-help),
# so they say what `cops --help` says: the options declared once in CommandLineOption.
# generate-manual is run directly rather than as the package plugin, which would first build
# the whole package once more in its own configuration; the tool needs only the binary.
# Its paragraphs are blank lines, which mdoc warns about on every `man cops`: they become .Pp.
install: $(if $(BINARY),,release)
	$(SWIFT) build --product generate-manual
	rm -rf $(staging) && mkdir -p $(staging)/manual
	$(installed_binary) --generate-completion-script bash >$(staging)/cops.bash
	$(installed_binary) --generate-completion-script zsh >$(staging)/_cops
	$(installed_binary) --generate-completion-script fish >$(staging)/cops.fish
	"$$($(SWIFT) build --show-bin-path)/generate-manual" $(installed_binary) \
		--date $(manual_date) --output-directory $(staging)/manual
	sed 's/^$$/.Pp/' $(staging)/manual/cops.1 >$(staging)/cops.1
	install -d $(sort $(dir $(addprefix $(DESTDIR),$(installed))))
	install -m 755 $(installed_binary) $(DESTDIR)$(bin_path)
	install -m 644 $(staging)/cops.bash $(DESTDIR)$(bash_path)
	install -m 644 $(staging)/_cops $(DESTDIR)$(zsh_path)
	install -m 644 $(staging)/cops.fish $(DESTDIR)$(fish_path)
	install -m 644 $(staging)/cops.1 $(DESTDIR)$(man_path)

# Removes the files install put there, and nothing else (the directories are shared).
uninstall:
	rm -f $(addprefix $(DESTDIR),$(installed))

# Builds everything and runs the whole test suite.
test: deps
	scripts/test

clean:
	rm -rf .build
