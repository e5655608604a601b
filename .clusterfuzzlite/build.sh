#!/bin/bash -eu
# ClusterFuzzLite calls this inside its build image; the work is in fuzz/build.sh (shared with OSS-Fuzz).
exec "$SRC/cathammer/fuzz/build.sh"
