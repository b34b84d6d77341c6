using Microsoft.AspNetCore.Routing;

namespace Pop3.Kestrel.Admin;

/// <summary>
/// Endpoints another package adds to the admin listener (register it as a singleton; <see cref="Pop3AdminExtensions.MapPop3Admin"/>
/// maps them). Mark each with <see cref="Pop3AdminExtensions.OnAdminListener{TBuilder}"/> so it answers only there.
/// </summary>
public interface IPop3AdminEndpointSource
{
    /// <summary>Maps the package's endpoints.</summary>
    void MapEndpoints(IEndpointRouteBuilder endpoints);
}
