/*
 * util-ip: IP address text into bytes, one strict parser for every module that reads
 * addresses (decoders, indicators, Sigma's cidr values, the daemon's configuration).
 */
#ifndef VIGIL_UTIL_IP_H
#define VIGIL_UTIL_IP_H

#include <stddef.h>

/* Parses an IPv4 (dotted quad, no leading zeros) or IPv6 address s[0..n) into out (4 or 16
 * bytes); returns 4, 16, or 0 if it is neither. Accepts exactly what inet_pton accepts for
 * the text s[0..n) (a NUL inside it is not an address). */
int vg_ip_parse(const char *s, size_t n, unsigned char out[16]);

#endif
