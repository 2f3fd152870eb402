build/obj/decode-windows.o: src/decode-windows.c src/decode.h src/event.h \
 src/json-scan.h src/util-error.h src/util-buf.h src/util-time.h
src/decode.h:
src/event.h:
src/json-scan.h:
src/util-error.h:
src/util-buf.h:
src/util-time.h:
