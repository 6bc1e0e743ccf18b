using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Gateway.Shared.Data;

// Lets `dotnet ef migrations add` build the model without a running app or database.
internal sealed class DesignTimeDbFactory : IDesignTimeDbContextFactory<GatewayDb>
{
    public GatewayDb CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<GatewayDb>();
        options.UseNpgsql("Host=localhost;Database=gateway").UseGatewayConventions();
        return new GatewayDb(options.Options);
    }
}
