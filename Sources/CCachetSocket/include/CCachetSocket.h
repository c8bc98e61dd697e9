// The Linux system calls FileSocketServer's loops use that Swift's Glibc module leaves out.
#ifndef CCACHET_SOCKET_H
#define CCACHET_SOCKET_H
#ifdef __linux__
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

// accept4 is declared only with _GNU_SOURCE.
int ccachet_accept_nonblocking(int listener);
#endif
#endif
