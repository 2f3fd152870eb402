build/obj/ingest-decode.o: src/ingest-decode.c src/ingest-decode.h \
 src/decode.h src/event.h src/json-scan.h src/util-error.h src/util-buf.h \
 src/util-time.h src/ingest-reader.h
src/ingest-decode.h:
src/decode.h:
src/event.h:
src/json-scan.h:
src/util-error.h:
src/util-buf.h:
src/util-time.h:
src/ingest-reader.h:
