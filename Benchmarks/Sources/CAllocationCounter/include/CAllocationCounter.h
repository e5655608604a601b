#ifndef CALLOCATIONCOUNTER_H
#define CALLOCATIONCOUNTER_H

// Counts the process's heap allocations while enabled: malloc and friends are interposed and
// forwarded to glibc's own entry points. When disabled the cost is one relaxed load per allocation.
void allocation_counter_start(void);
/// Stops counting and returns the number of allocations since start.
long allocation_counter_stop(void);

#endif
