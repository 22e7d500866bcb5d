using System.Collections;
using System.Reflection;

namespace ModelGateway.Admin;

/// <summary>
/// Finds JSON <c>null</c> where the options cannot hold it: an element of a list or a dictionary, or a property
/// the options declare non-nullable (e.g. <c>"price": null</c>). Reported by path, before the builder would trip
/// over it.
/// </summary>
internal static class NullValueCheck
{
    private const int MaxDepth = 16;

    public static void Find(object options, string path, List<string> errors) => Walk(options, path, errors, new NullabilityInfoContext(), 0);

    private static void Walk(object value, string path, List<string> errors, NullabilityInfoContext nullability, int depth)
    {
        var type = value.GetType();
        if (depth > MaxDepth || type.IsValueType || value is string)
        {
            return;
        }

        if (value is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                Child(entry.Value, Join(path, entry.Key.ToString()!), errors, nullability, depth);
            }

            return;
        }

        if (value is IList list)
        {
            for (var i = 0; i < list.Count; i++)
            {
                Child(list[i], Join(path, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), errors, nullability, depth);
            }

            return;
        }

        if (type.Namespace?.StartsWith("ModelGateway", StringComparison.Ordinal) != true)
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            var child = property.GetValue(value);
            if (child is null)
            {
                if (!property.PropertyType.IsValueType && nullability.Create(property).ReadState == NullabilityState.NotNull)
                {
                    errors.Add($"{Join(path, property.Name)} must not be null.");
                }

                continue;
            }

            Walk(child, Join(path, property.Name), errors, nullability, depth + 1);
        }
    }

    private static void Child(object? value, string path, List<string> errors, NullabilityInfoContext nullability, int depth)
    {
        if (value is null)
        {
            errors.Add($"{path} must not be null.");
        }
        else
        {
            Walk(value, path, errors, nullability, depth + 1);
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}:{name}";
}
