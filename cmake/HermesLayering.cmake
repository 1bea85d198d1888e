# Layering is enforced at configure time (STYLE.md R1): hermes_protocol may link only
# Qt6::Core and libprotobuf; the engine never links Widgets; the UI never links the engine's
# internals other than through the library itself.
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
endfunction()
