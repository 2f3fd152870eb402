/*
 * util-log: the one logger. Messages go to standard error as `vigil: LEVEL: text`, or as one
 * JSON object per line when structured output is chosen (for the daemon). Library modules
 * do not log on the per-event path; they return errors and counters instead.
 */
#ifndef VIGIL_UTIL_LOG_H
#define VIGIL_UTIL_LOG_H

typedef enum vg_log_level {
    VG_LOG_DEBUG = 0,
    VG_LOG_INFO,
    VG_LOG_WARN,
    VG_LOG_ERROR
} vg_log_level;

/* Sets the lowest level that is printed (default VG_LOG_INFO). */
void vg_log_set_level(vg_log_level level);

/* Chooses JSON-lines output (1) or human text (0, the default). */
void vg_log_set_json(int json);

/* Logs one message at level; thread-safe (one write per message). */
void vg_log(vg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
