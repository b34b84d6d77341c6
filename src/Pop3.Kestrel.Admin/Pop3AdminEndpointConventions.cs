using Microsoft.AspNetCore.Builder;

namespace Pop3.Kestrel.Admin;

/// <summary>Puts an endpoint on the admin listener.</summary>
public static class Pop3AdminEndpointConventions
{
    /// <summary>
    /// The endpoint answers only on the admin listener (404 elsewhere); with <paramref name="requireToken"/> it also needs
    /// the admin token (<c>Pop3:Admin:Token</c>, or a loopback client without one), like <c>/sessions</c>.
    /// </summary>
    public static TBuilder OnAdminListener<TBuilder>(this TBuilder builder, bool requireToken)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new Pop3AdminEndpointMetadata(requireToken));
}
