#include "core/io/atomic_file.h"

#include "core/util/error.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace hw {
namespace {

std::string reason() { return std::strerror(errno); }

// The mode a plain create would have given (0666 less the umask), or the mode of the file being
// replaced: mkstemp's 0600 would silently make exports private.
mode_t finalMode(const std::string& path)
{
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
        return st.st_mode & 07777;
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return 0666 & ~mask;
}

} // namespace

AtomicFileWriter::AtomicFileWriter(std::string path) : m_path(std::move(path))
{
    // DIR/NAME.XXXXXX.part: beside the target, so the rename stays on one file system.
    const auto slash = m_path.find_last_of('/');
    const std::string dir = slash == std::string::npos ? std::string() : m_path.substr(0, slash + 1);
    const std::string name = slash == std::string::npos ? m_path : m_path.substr(slash + 1);
    if (name.empty())
        throw Error(m_path + ": not a file name");
    std::string templ = dir + name + ".XXXXXX.part";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    const int fd = ::mkostemps(buf.data(), 5, O_CLOEXEC);
    if (fd < 0)
        throw Error(m_path + ": cannot write (" + reason() + ")");
    m_tmp.assign(buf.data());
    ::fchmod(fd, finalMode(m_path));
    m_file = ::fdopen(fd, "wb");
    if (!m_file) {
        const std::string why = reason();
        ::close(fd);
        ::unlink(m_tmp.c_str());
        throw Error(m_path + ": cannot write (" + why + ")");
    }
}

AtomicFileWriter::~AtomicFileWriter()
{
    if (m_file)
        std::fclose(m_file);
    if (!m_committed && !m_tmp.empty())
        ::unlink(m_tmp.c_str());
}

void AtomicFileWriter::write(std::string_view bytes)
{
    if (!m_file || m_committed)
        throw Error(m_path + ": write after commit");
    if (std::fwrite(bytes.data(), 1, bytes.size(), m_file) != bytes.size())
        throw Error(m_path + ": write failed (" + reason() + ")");
}

void AtomicFileWriter::commit()
{
    if (!m_file || m_committed)
        throw Error(m_path + ": commit twice");
    const bool flushed = std::fflush(m_file) == 0 && ::fsync(::fileno(m_file)) == 0;
    const std::string why = flushed ? std::string() : reason();
    const bool closed = std::fclose(m_file) == 0;
    m_file = nullptr;
    if (!flushed || !closed)
        throw Error(m_path + ": write failed (" + (why.empty() ? reason() : why) + "; disk full?)");
    if (std::rename(m_tmp.c_str(), m_path.c_str()) != 0)
        throw Error(m_path + ": cannot replace it with " + m_tmp + " (" + reason() + ")");
    m_committed = true;
}

} // namespace hw
