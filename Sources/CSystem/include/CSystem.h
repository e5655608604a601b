#ifndef CATHAMMER_CSYSTEM_H
#define CATHAMMER_CSYSTEM_H

// Linux interfaces that Swift's Glibc module does not import. The constants and types come straight
// from the system headers; functions that need _GNU_SOURCE are wrapped in CSystem.c, because a
// static inline wrapper here would be compiled without it.
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <signal.h>
#include <stddef.h>

int csystem_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int csystem_pipe2(int fds[2], int flags);
void *csystem_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);
int csystem_close_range(unsigned int first, unsigned int last, int flags);
int csystem_memfd_create(const char *name, unsigned int flags);
#define CSYSTEM_MFD_CLOEXEC 0x0001U

#endif
