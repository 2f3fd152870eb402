build/obj/json-scan.o: src/json-scan.c src/json-scan.h src/util-error.h \
 src/util-mem.h src/util-utf8.h
src/json-scan.h:
src/util-error.h:
src/util-mem.h:
src/util-utf8.h:
