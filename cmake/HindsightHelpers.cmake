# Shared build conventions.
#
# Sources are picked up by directory (CONFIGURE_DEPENDS globs), so adding a file never means
# editing a CMakeLists that someone else is also editing.

function(hw_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# Location of data the tests and programs read at run time.
set(HW_SOURCE_DIR "${CMAKE_SOURCE_DIR}")
get_filename_component(HW_SHARED_DIR "${CMAKE_SOURCE_DIR}/../shared" ABSOLUTE)

# Project headers under core/ that pull in libtorch, directly or through other project headers
# (stored in the global property HW_TORCH_HEADERS as "core/x/y.h" paths). A source that includes
# one of them pays the same ~20 s for the libtorch headers as one that includes <torch/...> by name.
function(hw_find_torch_headers)
  file(GLOB_RECURSE _headers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/core/*.h)
  set(_torch "")
  set(_pending "")
  foreach(_h IN LISTS _headers)
    file(RELATIVE_PATH _rel ${CMAKE_SOURCE_DIR} ${_h})
    file(READ ${_h} _c)
    if(_c MATCHES "#include <torch/")
      list(APPEND _torch ${_rel})
    else()
      string(REGEX MATCHALL "#include \"core/[^\"]+\"" _incs "${_c}")
      string(REGEX REPLACE "#include \"([^\"]+)\"" "\\1" _incs "${_incs}")
      set(_inc_${_rel} "${_incs}")
      list(APPEND _pending ${_rel})
    endif()
  endforeach()
  set(_changed TRUE)
  while(_changed)
    set(_changed FALSE)
    foreach(_rel IN LISTS _pending)
      foreach(_inc IN LISTS _inc_${_rel})
        if(_inc IN_LIST _torch)
          list(APPEND _torch ${_rel})
          list(REMOVE_ITEM _pending ${_rel})
          set(_changed TRUE)
          break()
        endif()
      endforeach()
    endforeach()
  endwhile()
  set_property(GLOBAL PROPERTY HW_TORCH_HEADERS "${_torch}")
endfunction()

# Sets OUT to TRUE when SRC includes libtorch, by name or through a project header.
function(hw_uses_torch src out)
  get_property(_torch GLOBAL PROPERTY HW_TORCH_HEADERS)
  file(READ "${src}" _c)
  set(_uses FALSE)
  if(_c MATCHES "#include <torch/")
    set(_uses TRUE)
  else()
    string(REGEX MATCHALL "#include \"core/[^\"]+\"" _incs "${_c}")
    string(REGEX REPLACE "#include \"([^\"]+)\"" "\\1" _incs "${_incs}")
    foreach(_inc IN LISTS _incs)
      if(_inc IN_LIST _torch)
        set(_uses TRUE)
        break()
      endif()
    endforeach()
  endif()
  set(${out} ${_uses} PARENT_SCOPE)
endfunction()
