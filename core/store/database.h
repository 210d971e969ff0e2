#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace hw {

class Database;

// A prepared statement borrowed from a Database. Parameters are 1-based, columns 0-based.
//   Statement st(db, "SELECT id FROM dialogues WHERE task = ?");
//   st.bind(1, task);
//   while (st.step()) use(st.int64(0));
class Statement {
public:
    Statement(Database& db, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int i, int64_t v);
    Statement& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
    Statement& bind(int i, double v);
    Statement& bind(int i, std::string_view v);
    Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
    Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    Statement& bind(int i, std::optional<double> v);
    Statement& bind(int i, std::optional<int64_t> v);
    Statement& bindBlob(int i, const void* data, int64_t size);
    Statement& bindNull(int i);

    // Returns true while a row is available; false when done. Throws hw::Error on failure.
    bool step();
    // Runs to completion (for INSERT/UPDATE/DELETE).
    void exec();
    void reset();   // keeps bindings; call before re-binding and stepping again

    bool isNull(int col) const;
    int64_t int64(int col) const;
    double real(int col) const;
    std::string text(int col) const;
    std::optional<double> optReal(int col) const;
    std::optional<int64_t> optInt64(int col) const;
    std::vector<uint8_t> blob(int col) const;
    int columnCount() const;

private:
    Database* m_db;
    sqlite3_stmt* m_stmt = nullptr;
    std::string m_sql;
};

// The one owner of a project's SQLite connection (WAL, foreign keys on, busy timeout).
// Not thread-safe: each thread that needs the project opens its own Database on the same file
// (WAL lets one writer and many readers work at once).
class Database {
public:
    enum class Mode { ReadWrite, ReadOnly };

    // Opens (and, for ReadWrite, creates or migrates) a project file.
    // Throws hw::Error naming the file when it is not a project, is corrupt, or is from a newer
    // schema version than this build understands.
    static Database open(const std::string& path, Mode mode = Mode::ReadWrite);
    // Creates a new empty project; fails if the file exists and is not empty.
    static Database create(const std::string& path);
    static Database openInMemory(); // for tests of pure SQL logic

    Database(Database&& other) noexcept;
    Database& operator=(Database&& other) noexcept;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    void exec(std::string_view sql);               // one or more statements, no parameters
    int64_t lastInsertId() const;
    int64_t changes() const;
    int schemaVersion() const;
    const std::string& path() const { return m_path; }
    sqlite3* handle() const { return m_db; }

    // Helper for single-value queries.
    std::optional<int64_t> queryInt64(std::string_view sql);

private:
    Database() = default;
    void configure();
    std::string m_path;
    sqlite3* m_db = nullptr;
    friend class Statement;
};

// RAII savepoint: commits on commit(), rolls back in the destructor otherwise.
// Nests (SAVEPOINT), so stores can use it inside a caller's transaction.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    void commit();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;

private:
    Database& m_db;
    std::string m_name;
    bool m_done = false;
};

} // namespace hw
