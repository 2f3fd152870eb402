build/obj/json-write.o: src/json-write.c src/json-write.h src/json-scan.h \
 src/util-error.h src/util-buf.h src/util-utf8.h
src/json-write.h:
src/json-scan.h:
src/util-error.h:
src/util-buf.h:
src/util-utf8.h:
