# The HTML report template (reports/templates/report.html) is compiled into
# the program, so an installed mediaqc needs no data files; the generated
# header is rebuilt whenever the template changes. Run with -P, this file
# does the conversion itself.
if(CMAKE_SCRIPT_MODE_FILE)
  file(READ "${IN}" bytes HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${bytes}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)"
         "\\1\n" bytes "${bytes}")
  file(WRITE "${OUT}.tmp" "/* generated from ${IN}; do not edit */\n"
       "static const char mqc_report_template[] = {\n${bytes}0x00 };\n")
  file(RENAME "${OUT}.tmp" "${OUT}")
  return()
endif()

if(TARGET mqc_reports)
  set(MQC_TEMPLATE_IN ${CMAKE_CURRENT_SOURCE_DIR}/reports/templates/report.html)
  set(MQC_TEMPLATE_OUT ${CMAKE_CURRENT_BINARY_DIR}/generated/report_template.h)
  add_custom_command(OUTPUT ${MQC_TEMPLATE_OUT}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_CURRENT_BINARY_DIR}/generated
    COMMAND ${CMAKE_COMMAND} -DIN=${MQC_TEMPLATE_IN} -DOUT=${MQC_TEMPLATE_OUT}
            -P ${CMAKE_CURRENT_LIST_FILE}
    DEPENDS ${MQC_TEMPLATE_IN} ${CMAKE_CURRENT_LIST_FILE}
    COMMENT "Embedding the HTML report template")
  target_sources(mqc_reports PRIVATE ${MQC_TEMPLATE_OUT})
  target_include_directories(mqc_reports PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
  # thumbnails mark luma outside the legal_range check's band, computed by
  # the check's own code (checks/range.c); frames are scaled with libswscale
  target_link_libraries(mqc_reports PUBLIC mqc_checks)
endif()
