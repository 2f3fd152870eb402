/* decode-linux: PAM, sudo, su, account tools, cron (in progress). */
#include "decode-syslog.h"

#define UNUSED (void)opts; (void)ev; (void)app; (void)app_len; (void)msg; (void)msg_len

vg_rc vg_decode_pam(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len, const char *msg, size_t msg_len) { UNUSED; return VG_OK; }
vg_rc vg_decode_sudo(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len, const char *msg, size_t msg_len) { UNUSED; return VG_OK; }
vg_rc vg_decode_su(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len, const char *msg, size_t msg_len) { UNUSED; return VG_OK; }
vg_rc vg_decode_account(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len, const char *msg, size_t msg_len) { UNUSED; return VG_OK; }
vg_rc vg_decode_cron(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len, const char *msg, size_t msg_len) { UNUSED; return VG_OK; }
