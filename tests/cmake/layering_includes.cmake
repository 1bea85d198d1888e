cmake_minimum_required(VERSION 3.25)
# The layering check's include rule (cmake/HermesLayering.cmake) on crafted files: what a
# console file and a file of hermes_engine_api may include, and that each refusal names the
# file and the include. Run by ctest as `cmake -DHERMES_SOURCE_DIR=… -DWORK_DIR=… -P`.
include(${HERMES_SOURCE_DIR}/cmake/HermesLayering.cmake)

set(root ${WORK_DIR}/layering)
file(REMOVE_RECURSE ${root})
file(WRITE ${root}/protocol/mqtt/packets.h "#pragma once\n")
file(WRITE ${root}/app/engine/broker.h "#pragma once\n")
file(WRITE ${root}/app/engine/listenaddress.h "#pragma once\n#include <QHostAddress>\n")
file(WRITE ${root}/app/engine/listenaddress.cpp "#include \"listenaddress.h\"\n#include \"moc_listenaddress.cpp\"\n")
file(WRITE ${root}/app/engine/api/monitor.h
     "#pragma once\n#include \"engine/listenaddress.h\"\n#include \"../listenaddress.h\"\n"
     "#include \"mqtt/packets.h\"\n#include <QObject>\n#include <optional>\n")
# An API header reaching into the engine three ways.
file(WRITE ${root}/app/engine/api/leaky.h
     "#pragma once\n#include \"engine/broker.h\"\n#include \"../broker.h\"\n#include \"nowhere.h\"\n")
file(WRITE ${root}/ui/views/view.h
     "#pragma once\n#include \"engine/api/monitor.h\"\n#include \"model.h\"\n#include \"mqtt/packets.h\"\n"
     "#include <QWidget>\n// #include \"engine/broker.h\" in a comment is not an include\n")
file(WRITE ${root}/ui/views/view.cpp
     "#include \"view.h\"\n#  include \"engine/broker.h\"\n#include <engine/broker.h>\n"
     "#include \"engine/api/leaky.h\"\n#include \"engine/nowhere.h\"\n#include \"engine/../../protocol/mqtt/packets.h\"\n"
     "#include \"../../app/engine/broker.h\"\n")

get_filename_component(root ${root} REALPATH)
set(api ${root}/app/engine/api/monitor.h ${root}/app/engine/api/leaky.h ${root}/app/engine/listenaddress.h
        ${root}/app/engine/listenaddress.cpp)

function(expect file apiOnly)
    set(found "")
    if(apiOnly)
        hermes_forbidden_engine_includes(FILE ${root}/${file} API_FILES ${api} APP_ROOT ${root}/app
            PROTOCOL_ROOT ${root}/protocol SHOWN_FROM ${root} API_ONLY OUT found)
    else()
        hermes_forbidden_engine_includes(FILE ${root}/${file} API_FILES ${api} APP_ROOT ${root}/app
            PROTOCOL_ROOT ${root}/protocol SHOWN_FROM ${root} OUT found)
    endif()
    list(LENGTH found count)
    list(LENGTH ARGN expected)
    if(NOT count EQUAL expected)
        list(JOIN found "\n  " shown)
        message(FATAL_ERROR "${file}: ${count} refusals where ${expected} were expected:\n  ${shown}")
    endif()
    foreach(include IN LISTS ARGN)
        list(POP_FRONT found refusal)
        if(NOT refusal MATCHES "^${file}: #.*include[ \t]*[\"<]${include}[\">] ")
            message(FATAL_ERROR "${file}: expected a refusal of ${include}, got: ${refusal}")
        endif()
    endforeach()
endfunction()

expect(app/engine/api/monitor.h TRUE)
expect(app/engine/listenaddress.cpp TRUE)
expect(app/engine/api/leaky.h TRUE engine/broker.h ../broker.h nowhere.h)
expect(ui/views/view.h FALSE)
expect(ui/views/view.cpp FALSE engine/broker.h engine/broker.h engine/nowhere.h "engine/\\.\\./\\.\\./protocol/mqtt/packets\\.h"
       "\\.\\./\\.\\./app/engine/broker\\.h")
message(STATUS "layering: every forbidden include refused, every allowed one let through")
