#include "core/store/database.h"

#include "core/store/integrity_check.h"
#include "core/store/schema.h"
#include "core/util/error.h"

#include <sqlite3.h>

#include <atomic>
#include <filesystem>
#include <utility>

namespace hw {
namespace {

// How long a writer waits for another one to finish before giving up (the README says 10 s).
constexpr int kBusyTimeoutMs = 10000;

std::string errorText(sqlite3* db) { return db ? sqlite3_errmsg(db) : "out of memory"; }

[[noreturn]] void fail(const std::string& path, const std::string& what)
{
    throw Error(path + ": " + what);
}

} // namespace

// ---------------------------------------------------------------- Statement

Statement::Statement(Database& db, std::string_view sql) : m_db(&db), m_sql(sql)
{
    if (sqlite3_prepare_v3(db.m_db, sql.data(), static_cast<int>(sql.size()), 0, &m_stmt, nullptr)
        != SQLITE_OK)
        fail(db.m_path, "cannot prepare SQL (" + errorText(db.m_db) + "): " + std::string(sql));
}

Statement::~Statement()
{
    if (m_stmt)
        sqlite3_finalize(m_stmt);
}

Statement::Statement(Statement&& other) noexcept
    : m_db(other.m_db), m_stmt(std::exchange(other.m_stmt, nullptr)), m_sql(std::move(other.m_sql))
{
}

#define HW_BIND_CHECK(expr)                                                                      \
    do {                                                                                         \
        if ((expr) != SQLITE_OK)                                                                 \
            fail(m_db->m_path, "cannot bind parameter " + std::to_string(i) + " of: " + m_sql); \
    } while (0)

Statement& Statement::bind(int i, int64_t v)
{
    HW_BIND_CHECK(sqlite3_bind_int64(m_stmt, i, v));
    return *this;
}
Statement& Statement::bind(int i, double v)
{
    HW_BIND_CHECK(sqlite3_bind_double(m_stmt, i, v));
    return *this;
}
Statement& Statement::bind(int i, std::string_view v)
{
    HW_BIND_CHECK(sqlite3_bind_text64(m_stmt, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    return *this;
}
Statement& Statement::bind(int i, std::optional<double> v) { return v ? bind(i, *v) : bindNull(i); }
Statement& Statement::bind(int i, std::optional<int64_t> v) { return v ? bind(i, *v) : bindNull(i); }
Statement& Statement::bindBlob(int i, const void* data, int64_t size)
{
    HW_BIND_CHECK(sqlite3_bind_blob64(m_stmt, i, data, static_cast<sqlite3_uint64>(size), SQLITE_TRANSIENT));
    return *this;
}
Statement& Statement::bindNull(int i)
{
    HW_BIND_CHECK(sqlite3_bind_null(m_stmt, i));
    return *this;
}
#undef HW_BIND_CHECK

bool Statement::step()
{
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    const std::string msg = errorText(m_db->m_db);
    sqlite3_reset(m_stmt);
    fail(m_db->m_path, msg + " (in: " + m_sql.substr(0, 200) + ")");
}

void Statement::exec()
{
    while (step()) {
    }
    sqlite3_reset(m_stmt);
}

void Statement::reset()
{
    sqlite3_reset(m_stmt);
}

bool Statement::isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
int64_t Statement::int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
double Statement::real(int col) const { return sqlite3_column_double(m_stmt, col); }
std::string Statement::text(int col) const
{
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(m_stmt, col))) : std::string();
}
std::optional<double> Statement::optReal(int col) const
{
    return isNull(col) ? std::nullopt : std::optional<double>(real(col));
}
std::optional<int64_t> Statement::optInt64(int col) const
{
    return isNull(col) ? std::nullopt : std::optional<int64_t>(int64(col));
}
std::vector<uint8_t> Statement::blob(int col) const
{
    const auto* p = static_cast<const uint8_t*>(sqlite3_column_blob(m_stmt, col));
    const int n = sqlite3_column_bytes(m_stmt, col);
    return p ? std::vector<uint8_t>(p, p + n) : std::vector<uint8_t>();
}
int Statement::columnCount() const { return sqlite3_column_count(m_stmt); }

// ---------------------------------------------------------------- Database

Database::Database(Database&& other) noexcept
    : m_path(std::move(other.m_path)), m_db(std::exchange(other.m_db, nullptr))
{
}

Database& Database::operator=(Database&& other) noexcept
{
    if (this != &other) {
        if (m_db)
            sqlite3_close_v2(m_db);
        m_path = std::move(other.m_path);
        m_db = std::exchange(other.m_db, nullptr);
    }
    return *this;
}

Database::~Database()
{
    if (m_db)
        sqlite3_close_v2(m_db);
}

void Database::configure()
{
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
    exec("PRAGMA foreign_keys = ON");
}

Database Database::open(const std::string& path, Mode mode)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw Error(path + ": no such project file");
    if (fs::is_directory(path, ec))
        throw Error(path + ": is a directory, not a project file");
    if (fs::file_size(path, ec) == 0)
        throw Error(path + ": empty file, not a Hindsight project");

    Database db;
    db.m_path = path;
    const int flags = (mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE)
                      | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db.m_db, flags, nullptr) != SQLITE_OK)
        fail(path, "cannot open: " + errorText(db.m_db));
    try {
        db.configure();
        // Reading the schema is the first thing that touches the file's contents: a file that is
        // not SQLite, or is damaged, fails here.
        const int version = db.schemaVersion();
        if (version < 0)
            fail(path, "damaged or not a Hindsight Workbench project: schema version (PRAGMA user_version) is "
                           + std::to_string(version) + ", which no build writes");
        const auto hasInfo = db.queryInt64(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'project_info'");
        if (version == 0 || !hasInfo || *hasInfo == 0)
            fail(path, "is an SQLite database but not a Hindsight Workbench project");
        if (version > currentSchemaVersion())
            fail(path, "project was written by a newer Hindsight Workbench (schema version "
                           + std::to_string(version) + ", this build reads up to "
                           + std::to_string(currentSchemaVersion()) + ")");
        // A read-only connection cannot migrate, and every query in this build is written for
        // the current schema: refuse instead of misreading an older file.
        if (mode == Mode::ReadOnly && version < currentSchemaVersion())
            fail(path, "project schema v" + std::to_string(version) + " is older than this program's v"
                           + std::to_string(currentSchemaVersion())
                           + "; open it read-write once to upgrade");
        if (mode == Mode::ReadWrite) {
            // Before the first write (even the WAL switch writes the header): a damaged file is
            // never written into, it is refused with the damage named.
            if (const auto damage = runIntegrityCheck(db.m_db, path, IntegrityLevel::Quick); !damage.empty())
                fail(path, "the project file is damaged, refusing to write into it (PRAGMA quick_check: "
                               + damage.front() + (damage.size() > 1 ? "; ..." : "")
                               + "). Run `hindsight check " + path
                               + "` for the full report and restore a backup copy");
            db.exec("PRAGMA journal_mode = WAL");
            db.exec("PRAGMA synchronous = NORMAL");
            migrateSchema(db);
        }
    } catch (const Error& e) {
        const std::string what = e.what();
        // Statement errors already carry the path.
        if (what.rfind(path, 0) == 0)
            throw;
        throw Error(path + ": " + what);
    }
    return db;
}

Database Database::create(const std::string& path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(path, ec) && fs::file_size(path, ec) > 0)
        throw Error(path + ": file already exists");
    Database db;
    db.m_path = path;
    if (sqlite3_open_v2(path.c_str(), &db.m_db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr)
        != SQLITE_OK)
        fail(path, "cannot create: " + errorText(db.m_db));
    db.configure();
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    migrateSchema(db);
    return db;
}

Database Database::openInMemory()
{
    Database db;
    db.m_path = ":memory:";
    if (sqlite3_open_v2(":memory:", &db.m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
        != SQLITE_OK)
        fail(":memory:", "cannot open in-memory database");
    db.configure();
    migrateSchema(db);
    return db;
}

void Database::exec(std::string_view sql)
{
    char* err = nullptr;
    const std::string s(sql);
    if (sqlite3_exec(m_db, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : errorText(m_db);
        sqlite3_free(err);
        fail(m_path, msg + " (in: " + s.substr(0, 200) + ")");
    }
}

int64_t Database::lastInsertId() const { return sqlite3_last_insert_rowid(m_db); }
int64_t Database::changes() const { return sqlite3_changes64(m_db); }

int Database::schemaVersion() const
{
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(m_db, "PRAGMA user_version", -1, &st, nullptr) != SQLITE_OK)
        fail(m_path, "not a readable SQLite database (" + errorText(m_db) + ")");
    int v = 0;
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        fail(m_path, "not a readable SQLite database (" + errorText(m_db) + ")");
    return v;
}

std::optional<int64_t> Database::queryInt64(std::string_view sql)
{
    Statement st(*this, sql);
    if (st.step() && !st.isNull(0))
        return st.int64(0);
    return std::nullopt;
}

// ---------------------------------------------------------------- Transaction

Transaction::Transaction(Database& db) : m_db(db)
{
    static std::atomic<uint64_t> counter{0};
    m_name = "hw_sp_" + std::to_string(++counter);
    // The outermost transaction of a writable connection takes the write lock at once
    // (BEGIN IMMEDIATE), waiting up to the busy timeout for another writer. A deferred one would
    // read first and then fail at once when it tries to write after another process committed
    // (SQLITE_BUSY_SNAPSHOT: the busy handler cannot help a stale read snapshot).
    // The outermost one is marked by an empty savepoint name.
    if (sqlite3_get_autocommit(db.handle()) == 0 || sqlite3_db_readonly(db.handle(), "main") != 0) {
        m_db.exec("SAVEPOINT " + m_name);
        return;
    }
    m_name.clear();
    try {
        m_db.exec("BEGIN IMMEDIATE");
    } catch (const Error& e) {
        if ((sqlite3_errcode(db.handle()) & 0xff) == SQLITE_BUSY)
            throw Error(db.path() + ": another program kept the project locked for writing longer than "
                        + std::to_string(kBusyTimeoutMs / 1000) + " s; try again when it has finished");
        throw;
    }
}

Transaction::~Transaction()
{
    if (!m_done) {
        try {
            if (m_name.empty()) {
                m_db.exec("ROLLBACK");
            } else {
                m_db.exec("ROLLBACK TO " + m_name);
                m_db.exec("RELEASE " + m_name);
            }
        } catch (...) {
            // Destructors must not throw; the connection reports the failure on its next use.
        }
    }
}

void Transaction::commit()
{
    m_db.exec(m_name.empty() ? std::string("COMMIT") : "RELEASE " + m_name);
    m_done = true;
}

} // namespace hw
