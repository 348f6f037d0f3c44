# minimalloc's CMake package, installed by capi/install.sh into
# <prefix>/lib/cmake/minimalloc. Relocatable: every path is found from this
# file's own place.
#
#   find_package(minimalloc 0.1 REQUIRED)
#   target_link_libraries(app PRIVATE minimalloc::minimalloc)   # shared
#   target_link_libraries(app PRIVATE minimalloc::static)       # static
#
# Both targets carry the include directory with minimalloc.h (C) and
# minimalloc.hpp (C++17, header-only).

get_filename_component(_minimalloc_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

include(CMakeFindDependencyMacro)
find_dependency(Threads)

if(NOT TARGET minimalloc::minimalloc)
  set(_minimalloc_lib "${_minimalloc_prefix}/lib")
  set(_minimalloc_include "${_minimalloc_prefix}/include")

  add_library(minimalloc::minimalloc SHARED IMPORTED)
  set_target_properties(minimalloc::minimalloc PROPERTIES
    IMPORTED_LOCATION "${_minimalloc_lib}/${CMAKE_SHARED_LIBRARY_PREFIX}minimalloc_c${CMAKE_SHARED_LIBRARY_SUFFIX}"
    IMPORTED_SONAME "${CMAKE_SHARED_LIBRARY_PREFIX}minimalloc_c${CMAKE_SHARED_LIBRARY_SUFFIX}"
    INTERFACE_INCLUDE_DIRECTORIES "${_minimalloc_include}")

  # A Rust static library needs the system libraries its standard library
  # uses (what `rustc --print native-static-libs` lists on Linux).
  set(_minimalloc_system Threads::Threads ${CMAKE_DL_LIBS})
  if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
    list(APPEND _minimalloc_system m rt util)
  endif()
  add_library(minimalloc::static STATIC IMPORTED)
  set_target_properties(minimalloc::static PROPERTIES
    IMPORTED_LOCATION "${_minimalloc_lib}/${CMAKE_STATIC_LIBRARY_PREFIX}minimalloc_c${CMAKE_STATIC_LIBRARY_SUFFIX}"
    IMPORTED_LINK_INTERFACE_LANGUAGES "C"
    INTERFACE_INCLUDE_DIRECTORIES "${_minimalloc_include}"
    INTERFACE_LINK_LIBRARIES "${_minimalloc_system}")

  unset(_minimalloc_lib)
  unset(_minimalloc_include)
  unset(_minimalloc_system)
endif()

unset(_minimalloc_prefix)
set(minimalloc_FOUND TRUE)
