using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Authentication.Sasl;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>Puts a fresh <c>&lt;random.time@host&gt;</c> timestamp in each greeting when APOP is offered.</summary>
internal sealed class ApopGreeting(IOptions<Pop3AuthenticationOptions> options, Pop3SecretSource secrets, TimeProvider time) : IPop3GreetingSuffix
{
    public string? GetGreetingSuffix(Pop3SessionContext context)
    {
        if (!options.Value.Apop || !secrets.Has(Pop3SecretKinds.Plaintext))
        {
            return null;
        }

        var timestamp = Pop3SaslText.NewTimestamp(time);
        context.Services.GetRequiredService<Pop3LoginState>().ApopTimestamp = timestamp;
        return timestamp;
    }
}
