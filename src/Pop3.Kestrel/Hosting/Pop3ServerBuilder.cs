using Microsoft.Extensions.DependencyInjection;

namespace Pop3.Kestrel.Hosting;

/// <summary>Returned by <c>AddPop3Server</c>: the place where backends, authenticators and hooks are plugged in.</summary>
public sealed class Pop3ServerBuilder(IServiceCollection services)
{
    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; } = services;
}
