# Layering is enforced at configure time (STYLE.md R1): hermes_protocol may link only
# Qt6::Core and libprotobuf; the engine never links Widgets; the console (hermes_ui) links
# only the engine's API (hermes_engine_api: EngineMonitor, its plain values, the factories'
# signature), never hermes_engine, and includes no engine header outside it; the API
# includes nothing of the engine's; in ui/, models and formatting never include a view (the
# views are built on them, not the other way round).

# What each library may link, by name (a target, or Qt's two spellings of a module).
set(HERMES_ENGINE_API_LINKS hermes_protocol Qt6::Core Qt::Core Qt6::Network Qt::Network)
set(HERMES_UI_LINKS hermes_engine_api Qt6::Widgets Qt::Widgets Qt6::Charts Qt::Charts Qt6::Svg Qt::Svg
                    Qt6Keychain::Qt6Keychain)

# Fails unless every library `target` links is one of the names that follow.
function(hermes_check_links target)
    get_target_property(links ${target} LINK_LIBRARIES)
    foreach(lib IN LISTS links)
        # target_link_libraries() from another directory records "::@(dir);lib;::@".
        if(lib MATCHES "^::@")
            continue()
        endif()
        string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" name "${lib}")
        if(NOT name IN_LIST ARGN)
            list(JOIN ARGN ", " allowed)
            message(FATAL_ERROR "${target} links '${lib}', which is not one of what it may link: ${allowed}")
        endif()
    endforeach()
endfunction()

# Appends to the list OUT one line per #include in FILE that reaches an engine header
# outside API_FILES (absolute paths of hermes_engine_api's sources). APP_ROOT is where
# `engine/…` includes are found (app/), PROTOCOL_ROOT the protocol library's headers
# (protocol/). With API_ONLY, FILE belongs to the API itself and every quoted include must
# be a file of the API or of the protocol library (anything else is an engine header, or
# one the API's users cannot see); otherwise only includes that reach into APP_ROOT, or
# name engine/…, are checked (a console file includes its own headers freely).
# Angle-bracket includes are system and Qt headers, unless they name engine/…. Files are
# named relative to SHOWN_FROM.
function(hermes_forbidden_engine_includes)
    cmake_parse_arguments(ARG "API_ONLY" "FILE;APP_ROOT;PROTOCOL_ROOT;SHOWN_FROM;OUT" "API_FILES" ${ARGN})
    file(STRINGS ${ARG_FILE} lines REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]")
    get_filename_component(dir ${ARG_FILE} DIRECTORY)
    file(RELATIVE_PATH shownFile ${ARG_SHOWN_FROM} ${ARG_FILE})
    set(found ${${ARG_OUT}})
    foreach(line IN LISTS lines)
        string(REGEX MATCH "include[ \t]*([\"<])([^\">]+)[\">]" _ "${line}")
        set(kind "${CMAKE_MATCH_1}")
        set(name "${CMAKE_MATCH_2}")
        if(kind STREQUAL "<" AND NOT name MATCHES "^engine/")
            continue()
        endif()
        if(name MATCHES "^moc_.*\\.cpp$|\\.moc$")
            continue() # AUTOMOC's output
        endif()
        # The compiler's order for "…": next to the file, then the include directories.
        set(resolved "")
        foreach(candidate "${dir}/${name}" "${ARG_APP_ROOT}/${name}" "${ARG_PROTOCOL_ROOT}/${name}")
            if(EXISTS "${candidate}" AND NOT IS_DIRECTORY "${candidate}")
                get_filename_component(resolved "${candidate}" REALPATH)
                break()
            endif()
        endforeach()
        string(FIND "${resolved}" "${ARG_APP_ROOT}/" inApp)
        string(FIND "${resolved}" "${ARG_PROTOCOL_ROOT}/" inProtocol)
        set(problem "")
        if(resolved STREQUAL "")
            if(ARG_API_ONLY OR name MATCHES "^engine/")
                set(problem "names no header of hermes_engine_api or of the protocol library")
            endif()
        elseif(resolved IN_LIST ARG_API_FILES)
            # One of the API's own files.
        elseif(inProtocol EQUAL 0)
            if(name MATCHES "^engine/")
                set(problem "names no header of hermes_engine_api")
            endif()
        elseif(inApp EQUAL 0)
            set(problem "is an engine header outside hermes_engine_api")
        elseif(ARG_API_ONLY)
            set(problem "is neither a header of hermes_engine_api nor of the protocol library")
        endif()
        if(problem)
            string(STRIP "${line}" shownLine)
            list(APPEND found "${shownFile}: ${shownLine} ${problem}")
        endif()
    endforeach()
    set(${ARG_OUT} "${found}" PARENT_SCOPE)
endfunction()

# hermes_engine_api's sources as absolute, resolved paths.
function(hermes_api_files out)
    get_target_property(sources hermes_engine_api SOURCES)
    get_target_property(sourceDir hermes_engine_api SOURCE_DIR)
    set(files "")
    foreach(source IN LISTS sources)
        get_filename_component(path "${source}" ABSOLUTE BASE_DIR "${sourceDir}")
        get_filename_component(path "${path}" REALPATH)
        list(APPEND files "${path}")
    endforeach()
    set(${out} "${files}" PARENT_SCOPE)
endfunction()

function(hermes_check_layering)
    get_target_property(protocolLinks hermes_protocol LINK_LIBRARIES)
    foreach(lib IN LISTS protocolLinks)
        if(NOT lib MATCHES "^(Qt6::Core|Qt::Core|protobuf::libprotobuf)$")
            message(FATAL_ERROR "hermes_protocol may link only Qt6::Core and protobuf, not '${lib}'")
        endif()
    endforeach()
    if(TARGET hermes_engine)
        get_target_property(engineLinks hermes_engine LINK_LIBRARIES)
        foreach(lib IN LISTS engineLinks)
            if(lib MATCHES "Widgets|Gui|Charts")
                message(FATAL_ERROR "hermes_engine must not link '${lib}'")
            endif()
        endforeach()
    endif()

    get_filename_component(appRoot ${PROJECT_SOURCE_DIR}/app REALPATH)
    get_filename_component(protocolRoot ${PROJECT_SOURCE_DIR}/protocol REALPATH)
    if(TARGET hermes_engine_api)
        hermes_check_links(hermes_engine_api ${HERMES_ENGINE_API_LINKS})
        hermes_api_files(apiFiles)
        set(violations "")
        foreach(source IN LISTS apiFiles)
            hermes_forbidden_engine_includes(FILE ${source} API_FILES ${apiFiles} APP_ROOT ${appRoot}
                PROTOCOL_ROOT ${protocolRoot} SHOWN_FROM ${PROJECT_SOURCE_DIR} API_ONLY OUT violations)
        endforeach()
        if(violations)
            list(JOIN violations "\n  " shown)
            message(FATAL_ERROR "hermes_engine_api may include only its own headers, the protocol "
                                "library's and system or Qt headers:\n  ${shown}")
        endif()
    endif()
    if(TARGET hermes_ui)
        hermes_check_links(hermes_ui ${HERMES_UI_LINKS})
        file(GLOB_RECURSE uiFiles ${PROJECT_SOURCE_DIR}/ui/*)
        set(violations "")
        foreach(source IN LISTS uiFiles)
            hermes_forbidden_engine_includes(FILE ${source} API_FILES ${apiFiles} APP_ROOT ${appRoot}
                PROTOCOL_ROOT ${protocolRoot} SHOWN_FROM ${PROJECT_SOURCE_DIR} OUT violations)
        endforeach()
        if(violations)
            list(JOIN violations "\n  " shown)
            message(FATAL_ERROR "ui/ may include only the engine's API (hermes_engine_api: "
                                "app/engine/CMakeLists.txt lists it):\n  ${shown}")
        endif()
    endif()

    file(GLOB viewHeaders RELATIVE ${PROJECT_SOURCE_DIR}/ui/views ${PROJECT_SOURCE_DIR}/ui/views/*.h)
    file(GLOB_RECURSE belowViews ${PROJECT_SOURCE_DIR}/ui/models/* ${PROJECT_SOURCE_DIR}/ui/format/*)
    foreach(source IN LISTS belowViews)
        file(STRINGS ${source} includes REGEX "^#include \"")
        foreach(header IN LISTS viewHeaders)
            if(includes MATCHES "#include \"${header}\"")
                file(RELATIVE_PATH shown ${PROJECT_SOURCE_DIR} ${source})
                message(FATAL_ERROR "${shown} includes the view header ${header}: ui/models and ui/format must not depend on ui/views")
            endif()
        endforeach()
    endforeach()
endfunction()
