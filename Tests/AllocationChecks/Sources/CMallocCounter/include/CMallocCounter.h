#ifndef CATHAMMER_CMALLOCCOUNTER_H
#define CATHAMMER_CMALLOCCOUNTER_H

// Counts heap allocations while enabled, so tests can prove that a hot path allocates nothing.
// malloc and friends are interposed and forwarded to glibc's own entry points. Only watched threads
// count: the one that calls malloc_counter_start, and any that call malloc_counter_watch_this_thread.
void malloc_counter_watch_this_thread(void);
/// Starts counting (and watches the calling thread).
void malloc_counter_start(void);
/// Stops counting and returns the number of allocations since start.
long malloc_counter_stop(void);

#endif
