/*
 * deadline.c -- the compute-time limit of a request (--max-seconds).
 *
 * GEOS (3.11) offers one process-wide interruption: a callback without user
 * data that it runs at its checkpoints, and a flag that the next checkpoint
 * to see it clears by throwing. So the deadline is the request thread's own
 * (thread-local: the one piece of per-thread state the server keeps), and
 * the callback raises the flag only on a thread whose deadline has passed --
 * which then meets it at once, in the same checkpoint. Another thread can in
 * principle see the flag in that instant; api.c runs such a check again.
 */
#include "server/server_impl.h"

#include <geos_c.h>

#include <pthread.h>
#include <time.h>

static _Thread_local struct {
    struct timespec at; /* when the request's time is up */
    int armed, expired;
    unsigned tick; /* the clock is read every 32 checkpoints */
} deadline;

static void checkpoint(void)
{
    if (!deadline.armed) return;
    if (!deadline.expired && deadline.tick++ % 32 == 0) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        deadline.expired = now.tv_sec > deadline.at.tv_sec ||
                           (now.tv_sec == deadline.at.tv_sec && now.tv_nsec >= deadline.at.tv_nsec);
    }
    if (deadline.expired) GEOS_interruptRequest(); /* thrown by this very checkpoint */
}

static void install(void)
{
    GEOS_interruptRegisterCallback(checkpoint);
}

void srv_deadline_install(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install);
}

void srv_deadline_arm(double seconds)
{
    deadline.expired = 0;
    deadline.tick = 0;
    if (!(seconds > 0)) {
        deadline.armed = 0;
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &deadline.at);
    long long ns = (long long)(seconds * 1e9) + deadline.at.tv_nsec;
    deadline.at.tv_sec += (time_t)(ns / 1000000000);
    deadline.at.tv_nsec = (long)(ns % 1000000000);
    deadline.armed = 1;
}

int srv_deadline_expired(void)
{
    return deadline.armed && deadline.expired;
}
