build/obj/decode-linux.o: src/decode-linux.c src/decode-syslog.h \
 src/decode.h src/event.h src/json-scan.h src/util-error.h src/util-buf.h \
 src/util-time.h
src/decode-syslog.h:
src/decode.h:
src/event.h:
src/json-scan.h:
src/util-error.h:
src/util-buf.h:
src/util-time.h:
