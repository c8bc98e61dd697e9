#ifdef __linux__
#define _GNU_SOURCE
#include <stddef.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "CCachetSocket.h"

int ccachet_accept_nonblocking(int listener) {
    return accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

ssize_t ccachet_recv(int descriptor, void *buffer, size_t count) {
    return syscall(SYS_recvfrom, descriptor, buffer, count, 0, NULL, NULL);
}

ssize_t ccachet_send(int descriptor, const void *buffer, size_t count, int flags) {
    return syscall(SYS_sendto, descriptor, buffer, count, flags, NULL, 0);
}

ssize_t ccachet_sendmsg(int descriptor, const struct msghdr *message, int flags) {
    return syscall(SYS_sendmsg, descriptor, message, flags);
}

int ccachet_epoll_wait(int epoll, struct epoll_event *events, int count, int timeout) {
    // epoll_pwait without a signal mask is epoll_wait, and exists on every architecture.
    return (int)syscall(SYS_epoll_pwait, epoll, events, count, timeout, NULL, _NSIG / 8);
}
#endif
