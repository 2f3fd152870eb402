/*
 * util-crc32c: CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), the checksum
 * of the spool's records (RFC 3720 appendix B.4 gives its test vectors). Uses the SSE4.2
 * crc32 instruction when the CPU has it (checked once at run time) and a portable
 * slicing-by-8 table otherwise; both give the same values.
 *
 * Written here because no library on Debian offers it in a form Vigil uses: zlib has only
 * CRC-32 (another polynomial), OpenSSL has no public CRC-32C, and libcrc32c is a kernel module.
 */
#ifndef VIGIL_UTIL_CRC32C_H
#define VIGIL_UTIL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues a CRC-32C over p[0..n): start with crc 0; vg_crc32c(vg_crc32c(0, a), b) is the
 * CRC of a followed by b. */
uint32_t vg_crc32c(uint32_t crc, const void *p, size_t n);

/* The same with the portable table, whatever the CPU (for tests and comparison). */
uint32_t vg_crc32c_sw(uint32_t crc, const void *p, size_t n);

/* 1 if vg_crc32c uses the CPU's crc32 instruction. */
int vg_crc32c_hw(void);

#endif
