build/obj/cmd-decode.o: src/cmd-decode.c src/cmd.h src/decode.h \
 src/event.h src/json-scan.h src/util-error.h src/util-buf.h \
 src/util-time.h src/ingest-decode.h src/ingest-reader.h
src/cmd.h:
src/decode.h:
src/event.h:
src/json-scan.h:
src/util-error.h:
src/util-buf.h:
src/util-time.h:
src/ingest-decode.h:
src/ingest-reader.h:
