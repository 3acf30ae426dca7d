# Writes build_info_config.h at build time (not configure time) so that the
# commit `skiff version` prints is the one that was built. configure_file only
# touches the file when its content changes, so nothing rebuilds needlessly.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE SKIFF_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${SOURCE_DIR}
                OUTPUT_VARIABLE SKIFF_GIT_DIRTY OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT SKIFF_GIT_COMMIT)
  set(SKIFF_GIT_COMMIT "unknown")
elseif(SKIFF_GIT_DIRTY)
  set(SKIFF_GIT_COMMIT "${SKIFF_GIT_COMMIT}-dirty")
endif()
configure_file(${SOURCE_DIR}/src/core/build_info.h.in ${OUTPUT} @ONLY)
