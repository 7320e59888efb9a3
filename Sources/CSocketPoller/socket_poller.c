/* For pthread_setname_np; before any header. */
#define _GNU_SOURCE
#include "socket_poller.h"

#ifdef __linux__

#include <errno.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

int cops_poller_create(int *wake) {
    int epoll = epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) return -1;
    *wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (*wake < 0) {
        close(epoll);
        return -1;
    }
    struct epoll_event event = {.events = EPOLLIN, .data = {.u64 = 0}};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, *wake, &event) != 0) {
        close(*wake);
        close(epoll);
        return -1;
    }
    return epoll;
}

int cops_poller_arm(int epoll, int descriptor, int writable, uint64_t token) {
    struct epoll_event event = {.events = (writable ? EPOLLOUT : EPOLLIN) | EPOLLONESHOT, .data = {.u64 = token}};
    /* A descriptor stays in the set, disarmed, after its one-shot event; a new socket (or one
     * whose number was reused after a close, which drops it from the set) must be added. */
    if (epoll_ctl(epoll, EPOLL_CTL_MOD, descriptor, &event) == 0) return 0;
    if (errno != ENOENT) return -1;
    return epoll_ctl(epoll, EPOLL_CTL_ADD, descriptor, &event);
}

int cops_poller_wait(int epoll, int wake, uint64_t *tokens, int capacity, int timeout) {
    struct epoll_event events[64];
    int limit = capacity < 64 ? capacity : 64;
    int count = epoll_wait(epoll, events, limit, timeout);
    int written = 0;
    for (int index = 0; index < count; index++) {
        if (events[index].data.u64 == 0) {
            eventfd_t value;
            (void)eventfd_read(wake, &value);
        } else {
            tokens[written++] = events[index].data.u64;
        }
    }
    return written;
}

void cops_poller_wake(int wake) { (void)eventfd_write(wake, 1); }

void cops_poller_name_thread(const char *name) {
    char kept[16];
    int length = 0;
    while (length < 15 && name[length] != 0) {
        kept[length] = name[length];
        length++;
    }
    kept[length] = 0;
    (void)pthread_setname_np(pthread_self(), kept);
}

#endif
