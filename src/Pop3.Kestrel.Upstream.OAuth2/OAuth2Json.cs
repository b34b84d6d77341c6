using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>Source-generated JSON for the token files and the admin API.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OAuth2StoredToken))]
[JsonSerializable(typeof(OAuth2ConnectionStatus))]
[JsonSerializable(typeof(IReadOnlyList<OAuth2ConnectionStatus>))]
internal sealed partial class OAuth2Json : JsonSerializerContext;
