using System.Reflection;

namespace Pop3.Documentation.Tests;

/// <summary>
/// The public surface of each package, counted as the types it exports. Public is a promise: a package
/// exports its extension methods, its options and what an extender implements or receives, nothing else. A new public
/// type is a decision to record here, next to the line it adds to the package's PublicAPI.Unshipped.txt.
/// </summary>
public sealed class PublicApiSizeTests
{
    [Theory]
    [InlineData("Pop3.Kestrel", 49)]
    [InlineData("Pop3.Kestrel.Testing", 2)]
    [InlineData("Pop3.Kestrel.Maildir", 3)]
    [InlineData("Pop3.Kestrel.PostgreSql", 2)]
    [InlineData("Pop3.Kestrel.Admin", 3)]
    [InlineData("Pop3.Kestrel.Upstream", 8)]
    [InlineData("Pop3.Kestrel.Upstream.OAuth2", 4)]
    [InlineData("Pop3.Kestrel.UsersFile", 3)]
    [InlineData("Pop3.Kestrel.OAuthBearer", 2)]
    public void A_package_exports_no_more_types_than_recorded(string package, int recorded)
    {
        var exported = Assembly.Load(package).GetExportedTypes().Select(t => t.FullName).Order(StringComparer.Ordinal).ToArray();

        Assert.True(exported.Length <= recorded, $"{package} exports {exported.Length} types, {recorded} recorded: {string.Join(", ", exported)}");
    }

    [Fact]
    public void No_package_lets_another_package_see_its_internals()
    {
        string[] packages =
        [
            "Pop3.Kestrel", "Pop3.Kestrel.Testing", "Pop3.Kestrel.Maildir", "Pop3.Kestrel.PostgreSql", "Pop3.Kestrel.Admin",
            "Pop3.Kestrel.Upstream", "Pop3.Kestrel.Upstream.OAuth2", "Pop3.Kestrel.UsersFile", "Pop3.Kestrel.OAuthBearer",
        ];
        var grants = packages
            .SelectMany(package => Assembly.Load(package).GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>()
                .Select(attribute => (package, friend: attribute.AssemblyName)))
            .Where(grant => packages.Contains(grant.friend, StringComparer.Ordinal))
            .Select(grant => $"{grant.package} -> {grant.friend}");

        Assert.Empty(grants);
    }
}
