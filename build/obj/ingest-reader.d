build/obj/ingest-reader.o: src/ingest-reader.c src/ingest-reader.h \
 src/json-scan.h src/util-error.h src/util-mem.h
src/ingest-reader.h:
src/json-scan.h:
src/util-error.h:
src/util-mem.h:
