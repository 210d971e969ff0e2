#pragma once
#include <cstdio>
#include <string>
#include <string_view>

namespace hw {

// Writes a file so that readers see the old content or the new one, never a part, and so that
// nothing planted at a predictable name is followed: the temporary file is created exclusively
// (mkstemp: O_CREAT|O_EXCL, which never follows a symbolic link) in the target's own folder, then
// renamed over the target (a symbolic link at the target is replaced, not followed).
//   AtomicFileWriter out(path);
//   out.write(text); ...
//   out.commit();            // without commit() the destructor removes the temporary file
// Errors are hw::Error naming the target.
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(std::string path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(std::string_view bytes);
    // Flushes, syncs and renames over the target.
    void commit();
    const std::string& temporaryPath() const { return m_tmp; }

private:
    std::string m_path;
    std::string m_tmp;
    std::FILE* m_file = nullptr;
    bool m_committed = false;
};

} // namespace hw
