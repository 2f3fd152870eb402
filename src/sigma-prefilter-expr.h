/*
 * sigma-prefilter-expr: the Hyperscan expressions of the prefilter's literals and regular
 * expressions (see sigma-prefilter.c): flags, escaped literal text with the case-folding
 * classes of non-ASCII code points, regular expressions with long counted repeats relaxed for
 * prefilter mode, and whether Hyperscan takes an expression.
 */
#ifndef VIGIL_SIGMA_PREFILTER_EXPR_H
#define VIGIL_SIGMA_PREFILTER_EXPR_H

#include <stddef.h>

#include "sigma-value.h"

/* Hyperscan flags of a pattern of VG_SIGMA_PAT_* flags (the end anchor is checked after). */
unsigned sg_pf_hs_flags(unsigned pat_flags);

/* The Hyperscan expression of a pattern (bytes[0..len), VG_SIGMA_PAT_* flags), NUL-terminated
 * and allocated (vg_free); NULL when out of memory. */
char *sg_pf_pattern_text(const unsigned char *bytes, size_t len, unsigned pat_flags);

/* Can Hyperscan take the (relaxed) expression of literal l in prefilter mode? */
int sg_pf_regex_usable(const vg_sigma_literal *l);

/* Does the expression of literal l change case in ways Hyperscan may not? */
int sg_pf_regex_folds(const vg_sigma_literal *l);

#endif
