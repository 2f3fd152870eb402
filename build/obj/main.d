build/obj/main.o: src/main.c src/cmd.h src/version.h
src/cmd.h:
src/version.h:
