# custodian_embed(TARGET SYMBOL FILE) compiles FILE's bytes into TARGET as
#   extern const std::string_view SYMBOL;   (in namespace custodian::embedded)
# The file is re-read whenever it changes, so the binary never carries a stale copy.

set(CUSTODIAN_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/EmbedFile.cmake")

function(custodian_embed target symbol file)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cc")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DINPUT=${file} -DOUTPUT=${out} -DSYMBOL=${symbol}
            -P "${CUSTODIAN_EMBED_SCRIPT}"
    DEPENDS "${file}" "${CUSTODIAN_EMBED_SCRIPT}"
    COMMENT "Embedding ${file}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
