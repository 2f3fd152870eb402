build/obj/event.o: src/event.c src/event.h src/json-scan.h \
 src/util-error.h src/util-buf.h src/json-write.h
src/event.h:
src/json-scan.h:
src/util-error.h:
src/util-buf.h:
src/json-write.h:
