/* decode-sshd: sshd messages (in progress). */
#include "decode-syslog.h"

vg_rc vg_decode_sshd(const vg_decode_opts *opts, vg_event *ev, const char *app, size_t app_len,
                     const char *msg, size_t msg_len)
{
    (void)opts; (void)ev; (void)app; (void)app_len; (void)msg; (void)msg_len;
    return VG_OK;
}
