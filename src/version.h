/* version: the version of Vigil, reported by `vigil --version`. */
#ifndef VIGIL_VERSION_H
#define VIGIL_VERSION_H
#define VIGIL_VERSION "0.1.0-dev"
#endif
