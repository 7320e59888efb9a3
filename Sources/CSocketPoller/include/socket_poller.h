#ifndef COPS_SOCKET_POLLER_H
#define COPS_SOCKET_POLLER_H

/* epoll and eventfd for AltcraftAPI's SocketPoller: Swift's Glibc module does not include
 * <sys/epoll.h> or <sys/eventfd.h>, and `struct epoll_event` is packed on x86-64, so the
 * poller talks to them through these few functions, which take and give tokens (the
 * `data.u64` of an event) instead of the struct. Linux only; elsewhere the poller uses poll. */

#include <stdint.h>

#ifdef __linux__

/* A close-on-exec epoll instance with a non-blocking eventfd registered under token 0;
 * returns the epoll descriptor and sets *wake to the eventfd, or -1 and errno. */
int cops_poller_create(int *wake);

/* Arms `descriptor` once (EPOLLONESHOT) for reading, or for writing when `writable`, with
 * `token`: re-arms it when it is still in the set, adds it otherwise. 0, or -1 and errno. */
int cops_poller_arm(int epoll, int descriptor, int writable, uint64_t token);

/* Waits up to `timeout` milliseconds (-1: no limit) and writes the tokens of the ready
 * descriptors to `tokens`; a wake-up (token 0) is drained and not reported. Returns how many
 * tokens were written (0 on a timeout, a wake-up alone or EINTR). */
int cops_poller_wait(int epoll, int wake, uint64_t *tokens, int capacity, int timeout);

/* Wakes a `cops_poller_wait` on the instance that owns this eventfd. */
void cops_poller_wake(int wake);

/* Names the calling thread in the kernel (at most 15 bytes are kept), as `top -H`, perf and
 * /proc/<pid>/task/<tid>/comm show it: pthread_setname_np is a GNU extension Glibc's module
 * leaves out. */
void cops_poller_name_thread(const char *name);

#endif

#endif
