// The Linux system calls FileSocketServer's loops use that Swift's Glibc module leaves out.
#ifndef CCACHET_SOCKET_H
#define CCACHET_SOCKET_H
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <sys/types.h>
#include <sys/uio.h>

// accept4 is declared only with _GNU_SOURCE.
int ccachet_accept_nonblocking(int listener);

// recv, send, sendmsg and epoll_wait as plain system calls. glibc's wrappers make each a
// thread cancellation point, turning asynchronous cancellation on and off around every call;
// the loops' threads are never cancelled, and on a 304 that toggling is a measurable share of
// the time spent outside the kernel. recv rather than read: read goes through the file layer,
// which locks the file position a socket does not have. Like the wrappers: -1 and errno on
// failure.
ssize_t ccachet_recv(int descriptor, void *buffer, size_t count);
ssize_t ccachet_send(int descriptor, const void *buffer, size_t count, int flags);
ssize_t ccachet_sendmsg(int descriptor, const struct msghdr *message, int flags);
int ccachet_epoll_wait(int epoll, struct epoll_event *events, int count, int timeout);
#endif
#endif
