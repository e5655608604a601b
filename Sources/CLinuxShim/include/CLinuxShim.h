#ifndef CATHAMMER_CLINUXSHIM_H
#define CATHAMMER_CLINUXSHIM_H

// Linux interfaces that Swift's Glibc module does not import. The constants and types come straight
// from the system headers; functions that need _GNU_SOURCE are wrapped in CLinuxShim.c, because a
// static inline wrapper here would be compiled without it.
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <signal.h>
#include <stddef.h>

int linux_accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
int linux_pipe2(int fds[2], int flags);
void *linux_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);
int linux_close_range(unsigned int first, unsigned int last, int flags);
int linux_memfd_create(const char *name, unsigned int flags);
#define LINUX_MFD_CLOEXEC 0x0001U

#endif
