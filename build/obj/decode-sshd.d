build/obj/decode-sshd.o: src/decode-sshd.c src/decode-syslog.h \
 src/decode.h src/event.h src/json-scan.h src/util-error.h src/util-buf.h \
 src/util-time.h
src/decode-syslog.h:
src/decode.h:
src/event.h:
src/json-scan.h:
src/util-error.h:
src/util-buf.h:
src/util-time.h:
