# Sourced by the packaging scripts: compile through ccache when it is installed.
# base_dir = this checkout, so a fresh clone in another folder reuses the objects of an earlier
# build; the sloppiness settings let ccache cache the libtorch/Qt precompiled headers and the
# translation units that include them.
HW_CCACHE_LAUNCHER=""
if command -v ccache >/dev/null 2>&1 && [ "${HW_NO_CCACHE:-0}" != 1 ]; then
  export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$(pwd)}"
  export CCACHE_SLOPPINESS="${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}"
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-8G}"
  export CCACHE_NOHASHDIR=1
  HW_CCACHE_LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
fi
