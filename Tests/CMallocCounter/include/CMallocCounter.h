#ifndef CATHAMMER_CMALLOCCOUNTER_H
#define CATHAMMER_CMALLOCCOUNTER_H

// Counts heap allocations of the whole test process while enabled, so tests can prove that a hot
// path allocates nothing. malloc and friends are interposed and forwarded to glibc's own entry points.
void malloc_counter_start(void);
/// Stops counting and returns the number of allocations since start.
long malloc_counter_stop(void);

#endif
