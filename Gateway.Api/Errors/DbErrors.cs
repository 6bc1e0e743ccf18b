using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Gateway.Api.Errors;

public static class DbErrors
{
    public static bool IsUniqueViolation(this DbUpdateException exception) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };
}
