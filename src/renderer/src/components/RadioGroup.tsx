interface Option<V extends string> {
  value: V
  label: string
}

interface Props<V extends string> {
  legend: string
  name: string
  value: V
  options: readonly Option<V>[]
  onChange: (value: V) => void
}

/** A labelled set of radio buttons: one choice among a few, keyboard-navigable by the browser. */
export function RadioGroup<V extends string>({ legend, name, value, options, onChange }: Props<V>) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label className="check" key={option.value}>
          <input
            type="radio"
            name={name}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  )
}
