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
